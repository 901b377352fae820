# Clang's thread-safety analysis (-Wthread-safety) over the project's own
# translation units: it makes the ABSL_GUARDED_BY / ABSL_*_LOCKS_* annotations
# a check. The build uses g++, so tools/check_thread_safety.py re-parses the
# translation units of compile_commands.json with clang++ -fsyntax-only. Once
# per `make test`: not in the sanitizer or fuzz trees, which hold the same code.
# A tree compiled by clang checks them while compiling (-Wthread-safety, see
# the top CMakeLists.txt) and needs no second pass; `make test` compiles its
# sanitizer tree with clang and turns this test off in the normal tree.
option(BACKINSTOCK_THREAD_SAFETY_TEST "Run the clang thread-safety pass as a test (g++ trees)" ON)
find_program(BACKINSTOCK_CLANGXX NAMES clang++-14 clang++)
find_package(Python3 COMPONENTS Interpreter)
if(NOT BACKINSTOCK_THREAD_SAFETY_TEST OR CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  # Checked by the compiler, or by the other tree of `make test`.
elseif(BACKINSTOCK_SANITIZE OR BACKINSTOCK_FUZZ)
  # Same sources as the normal tree, which checks them.
elseif(NOT BACKINSTOCK_CLANGXX OR NOT Python3_Interpreter_FOUND)
  message(WARNING "clang++ or python3 not found: the thread-safety check is not run")
else()
  add_test(NAME thread_safety_analysis
    COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/tools/check_thread_safety.py
      ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} --clang ${BACKINSTOCK_CLANGXX} --jobs 2)
  # It runs two clang processes at a time; several minutes on a loaded machine.
  set_tests_properties(thread_safety_analysis PROPERTIES PROCESSORS 2 TIMEOUT 900)
endif()
