// SPDX-License-Identifier: Apache-2.0
// libPluginAlpha: the plugin whose answers carry identity 1.
#define PLUGIN_IDENTITY 1
#include "../../Plugins/plugin-body.inc"
