// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

extension CacheAwareRundownRef: BenchmarkedRundown {
    static var benchmarkName: String { "CacheAwareRundownRef" }
}
