namespace IstaNas.Formats;

/// <summary>Which of the two CIFAR-100 labels to use.</summary>
internal enum Cifar100LabelKind
{
    /// <summary>The 100 fine classes (second label byte); the usual choice.</summary>
    Fine,

    /// <summary>The 20 coarse superclasses (first label byte).</summary>
    Coarse,
}
