// Pre-included (-include) in flowrun_volume's sources by the fuzz build only.
// Debian's ITK 5.2 ships an itk_compiler_detection.h generated for gcc that
// stops any other compiler with "#error Unsupported compiler"; clang accepts
// what it declares for gcc 12, so read it once as gcc would, and its include
// guard keeps ITK's own include of it from running again.
#pragma once
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#pragma push_macro("__clang__")
#pragma push_macro("__GNUC__")
#pragma push_macro("__GNUC_MINOR__")
#undef __clang__
#undef __GNUC__
#undef __GNUC_MINOR__
#define __GNUC__ 12
#define __GNUC_MINOR__ 2
#include <itk_compiler_detection.h>
#pragma pop_macro("__GNUC_MINOR__")
#pragma pop_macro("__GNUC__")
#pragma pop_macro("__clang__")
#pragma clang diagnostic pop
