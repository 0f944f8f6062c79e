// One cluster at a time: each test class starts real node and worker processes, and the node-loss tests time how
// fast a loss is noticed, which a second cluster starting beside them on 2 cores would only blur.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
