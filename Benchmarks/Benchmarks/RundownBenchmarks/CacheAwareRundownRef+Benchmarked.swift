@_spi(Testing) import Rundown

extension CacheAwareRundownRef: BenchmarkedRundown {
    static var benchmarkName: String { "CacheAwareRundownRef" }
}
