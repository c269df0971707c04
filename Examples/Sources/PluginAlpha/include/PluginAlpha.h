// SPDX-License-Identifier: Apache-2.0
// The plugin ABI, as libPluginAlpha exports it.
#include "../../../Plugins/plugin-abi.h"
