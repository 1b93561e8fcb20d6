namespace IstaNas.Training;

/// <summary>The steps of one epoch of a run, from the step it starts at; disposed at the end of the epoch.</summary>
internal interface IEpochSteps : IDisposable
{
    /// <summary>Runs the next step inside the loop's dispose scope and adds its losses to the metrics.</summary>
    /// <param name="train">Metrics of the weight step.</param>
    /// <param name="valid">Metrics of the architecture step, when the run has one.</param>
    void Step(RunningMetrics train, RunningMetrics valid);
}
