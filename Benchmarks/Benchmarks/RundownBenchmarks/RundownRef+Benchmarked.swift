// SPDX-License-Identifier: Apache-2.0
@_spi(Testing) import Rundown

extension RundownRef: BenchmarkedRundown {
    static var benchmarkName: String { "RundownRef" }
}
