#ifndef SCIMTAPE_CFUZZ_H
#define SCIMTAPE_CFUZZ_H

#include <stddef.h>
#include <stdint.h>

/* libFuzzer's driver, for programs that have their own main (LLVM 11 and later). */
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
