// SPDX-License-Identifier: Apache-2.0
// A stand-in for the `ObjectiveC` module of Apple's SDKs, for Scripts/check-apple-platforms.sh only: the one
// runtime function the test target calls (Tests/RundownTests/Support/PlatformShim.swift), declared as objc4's
// runtime/runtime.h declares it (objc4-951.1: `OBJC_EXPORT size_t class_getInstanceSize(Class _Nullable cls)
// OBJC_AVAILABLE(10.5, 2.0, 9.0, 1.0, 2.0)`: macOS, iOS, tvOS, watchOS and
// bridgeOS, the last left out here), which Swift imports as `class_getInstanceSize(_: AnyClass?) -> Int`.
// `Class` exists only when the importer parses Objective-C, as it does for Apple targets (Objective-C interop on).
#ifndef SWIFT_RUNDOWN_STAND_IN_OBJECTIVE_C_H
#define SWIFT_RUNDOWN_STAND_IN_OBJECTIVE_C_H

#include <stddef.h>

#ifdef __OBJC__
extern size_t class_getInstanceSize(Class _Nullable cls)
    __attribute__((availability(macos, introduced = 10.5))) __attribute__((availability(ios, introduced = 2.0)))
    __attribute__((availability(tvos, introduced = 9.0))) __attribute__((availability(watchos, introduced = 1.0)));
#endif

#endif
