// SPDX-License-Identifier: Apache-2.0
// The plugin ABI, as libPluginBeta exports it.
#include "../../../Plugins/plugin-abi.h"
