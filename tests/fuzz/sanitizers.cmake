# Compiler flags of the fuzz build (RISKCAP_FUZZ=ON): every target is instrumented for libFuzzer
# and built with AddressSanitizer and UndefinedBehaviorSanitizer, which abort on the first error.
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "RISKCAP_FUZZ=ON needs clang: configure with CC=clang CXX=clang++ "
                      "(scripts/fuzz does)")
endif()
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
