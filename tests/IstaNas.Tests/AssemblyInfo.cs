// Torch already uses both cores; running test classes in parallel only adds contention and cross-talk.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
