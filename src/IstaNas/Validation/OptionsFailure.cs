namespace IstaNas.Validation;

/// <summary>One failed rule of an options object.</summary>
/// <param name="Member">The option's name (a dotted path for nested options), or null for a rule over the whole object.</param>
/// <param name="Value">The option's value, when the rule concerns one option.</param>
/// <param name="Message">The rule's message.</param>
/// <param name="Text">The whole failure as reported: the option's path, the message and the value.</param>
internal sealed record OptionsFailure(string? Member, object? Value, string Message, string Text)
{
    /// <summary>
    /// The argument of a public method that the option stands for, when the method takes the option as an argument of
    /// its own: the option's name in camelCase (<c>ClassCount</c> is <c>classCount</c>).
    /// </summary>
    public string? Argument => Member is null ? null : char.ToLowerInvariant(Member[0]) + Member[1..];
}
