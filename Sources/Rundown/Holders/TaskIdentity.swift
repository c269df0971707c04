// SPDX-License-Identifier: Apache-2.0

/// The acquiring task as a holder record keeps it: an identifier that tells tasks apart, and the task's name where
/// the platform has task names.
struct TaskIdentity: Sendable {
    /// A number that tells the task apart from every other task alive at the same time (a hash of the task's
    /// identity); the same for every record the task makes.
    let id: UInt

    /// The task's name (`Task(name:)`): available where the concurrency runtime has task names (Linux with Swift 6.2
    /// and later; macOS, iOS, tvOS, watchOS and visionOS 26 and later); `nil` for an unnamed task or elsewhere.
    let name: String?

    /// The calling task, or `nil` if the caller is not running in a task.
    static var current: TaskIdentity? {
        guard let id = withUnsafeCurrentTask(body: { $0.map { UInt(bitPattern: $0.hashValue) } }) else { return nil }
        return TaskIdentity(id: id, name: currentName)
    }

    /// The calling task's name, where the runtime can tell.
    private static var currentName: String? {
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *) {
            return Task.name
        }
        return nil
    }
}
