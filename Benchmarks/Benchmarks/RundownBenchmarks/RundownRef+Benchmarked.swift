import Rundown

extension RundownRef: BenchmarkedRundown {
    static var benchmarkName: String { "RundownRef" }
}
