# Every fuzz target also builds in the normal suite with a plain driver that
# replays its seed corpus (tests/fuzz/corpus/<name>/), so targets keep compiling
# and the seeds stay clean under ASan+UBSan in CI.
file(GLOB VT_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src ${VT_FUZZ_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  string(REPLACE "fuzz_" "" corpus ${name})
  add_executable(replay_${name} ${src} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay_main.c)
  target_link_libraries(replay_${name} PRIVATE vertebra_static)
  add_test(NAME fuzz_replay_${corpus}
    COMMAND replay_${name} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${corpus})
  set_tests_properties(fuzz_replay_${corpus} PROPERTIES LABELS "fuzz")
endforeach()
