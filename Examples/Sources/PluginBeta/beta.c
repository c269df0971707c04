// SPDX-License-Identifier: Apache-2.0
// libPluginBeta: the plugin whose answers carry identity 2.
#define PLUGIN_IDENTITY 2
#include "../../Plugins/plugin-body.inc"
