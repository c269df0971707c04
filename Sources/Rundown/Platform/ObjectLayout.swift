// SPDX-License-Identifier: Apache-2.0

/// The sizes of objects and buffers as the Swift runtime lays them out, for memory footprints that are computed
/// rather than guessed.
enum ObjectLayout {
    /// The bytes an instance of `type` occupies (header and stored properties, before the allocator rounds it up):
    /// the instance size field of the class's metadata.
    ///
    /// Class metadata is ABI: the field follows the superclass pointer, then (with Objective-C interop) the
    /// Objective-C cache and data words, then 32-bit flags and the 32-bit instance address point.
    static func instanceSize(of type: AnyClass) -> Int {
        let metadata = unsafeBitCast(type, to: UnsafeRawPointer.self)
        #if _runtime(_ObjC)
        let offset = 5 * MemoryLayout<UInt>.size + 8
        #else
        let offset = 2 * MemoryLayout<UInt>.size + 8
        #endif
        return Int(metadata.load(fromByteOffset: offset, as: UInt32.self))
    }

    /// The bytes of an array's buffer: its object header, count and capacity words, and its elements' storage.
    static func bufferSize<Element>(of array: [Element]) -> Int {
        array.capacity == 0 ? 0 : 4 * MemoryLayout<UInt>.size + array.capacity * MemoryLayout<Element>.stride
    }
}
