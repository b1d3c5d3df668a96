# Every fuzz target also builds in the normal suite with a plain driver that
# replays its seed corpus (tests/fuzz/corpus/<name>/), so targets keep compiling
# and the seeds stay clean under ASan+UBSan in CI.
file(GLOB VT_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src ${VT_FUZZ_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  string(REPLACE "fuzz_" "" corpus ${name})
  add_executable(replay_${name} ${src} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay_main.c)
  target_link_libraries(replay_${name} PRIVATE vertebra_static)
  set(extra "")
  if(corpus STREQUAL "dicom")
    set(extra ${CMAKE_CURRENT_BINARY_DIR}/fuzz_seeds/dicom)
  endif()
  add_test(NAME fuzz_replay_${corpus}
    COMMAND replay_${name} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${corpus} ${extra})
  set_tests_properties(fuzz_replay_${corpus} PROPERTIES LABELS "fuzz")
endforeach()

# The synthetic DICOM seeds (explicit/implicit LE, explicit BE, deflated,
# RLE, multi-frame) are written by pydicom into the build folder before the
# replay, not kept in git; the corpus folder keeps the regression seeds.
add_test(NAME fuzz_seeds_dicom
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/make_seeds_io.py
          ${CMAKE_CURRENT_BINARY_DIR}/fuzz_seeds/dicom)
set_tests_properties(fuzz_seeds_dicom PROPERTIES LABELS "fuzz" FIXTURES_SETUP dicom_seeds)
set_tests_properties(fuzz_replay_dicom PROPERTIES FIXTURES_REQUIRED dicom_seeds)
