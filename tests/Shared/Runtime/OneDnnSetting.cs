using IstaNas.Runtime;

namespace IstaNas.Tests.Runtime;

/// <summary>Runs code with LibTorch's oneDNN convolutions on or off, and puts the process-wide setting back as it was.</summary>
internal static class OneDnnSetting
{
    public static T With<T>(bool enabled, Func<T> action)
    {
        bool before = TorchConvolutions.OneDnnEnabled;
        try
        {
            TorchConvolutions.SetOneDnnEnabled(enabled);
            return action();
        }
        finally
        {
            TorchConvolutions.SetOneDnnEnabled(before);
        }
    }

    public static void With(bool enabled, Action action) => With(enabled, () =>
    {
        action();
        return true;
    });
}
