// SPDX-License-Identifier: Apache-2.0
// What every plugin of Examples/plugin-host exports (the host finds the functions with dlsym; nothing links them).
#ifndef RUNDOWN_EXAMPLE_PLUGIN_ABI_H
#define RUNDOWN_EXAMPLE_PLUGIN_ABI_H
#include <stdint.h>

/// Which plugin this is (1 alpha, 2 beta): the top byte of every answer.
uint64_t rundown_plugin_identity(void);
/// Spins `work` rounds in the plugin's code, then answers `request`: identity in the top byte, the request's low 56
/// bits below.
uint64_t rundown_plugin_answer(uint64_t request, uint64_t work);
/// The calls this loaded copy has answered.
uint64_t rundown_plugin_calls_answered(void);
#endif
