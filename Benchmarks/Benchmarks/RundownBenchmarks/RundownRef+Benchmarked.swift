@_spi(Testing) import Rundown

extension RundownRef: BenchmarkedRundown {
    static var benchmarkName: String { "RundownRef" }
}
