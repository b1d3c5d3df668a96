# Every fuzz target also builds in the normal suite with a plain driver that
# replays its seed corpus (tests/fuzz/corpus/<name>/, or generated), so targets keep compiling
# and the seeds stay clean under ASan+UBSan in CI.
file(GLOB VT_FUZZ_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/fuzz_*.c)
foreach(src ${VT_FUZZ_SOURCES})
  get_filename_component(name ${src} NAME_WE)
  string(REPLACE "fuzz_" "" corpus ${name})
  add_executable(replay_${name} ${src} ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/replay_main.c)
  target_link_libraries(replay_${name} PRIVATE vertebra_static)
  # binary image seeds are generated (below); text seeds live in git
  if(corpus STREQUAL "dicom" OR corpus STREQUAL "nifti")
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/fuzz_seeds/${corpus})
  else()
    set(dir ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/corpus/${corpus})
  endif()
  add_test(NAME fuzz_replay_${corpus} COMMAND replay_${name} ${dir})
  set_tests_properties(fuzz_replay_${corpus} PROPERTIES LABELS "fuzz")
endforeach()

# The synthetic DICOM (explicit/implicit LE, explicit BE, deflated, RLE,
# multi-frame, the item-length regression) and NIfTI seeds are written by
# pydicom and nibabel into the build folder before the replays, not kept in git.
add_test(NAME fuzz_seeds_io
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/fuzz/make_seeds_io.py
          ${CMAKE_CURRENT_BINARY_DIR}/fuzz_seeds)
set_tests_properties(fuzz_seeds_io PROPERTIES LABELS "fuzz" FIXTURES_SETUP io_seeds)
set_tests_properties(fuzz_replay_dicom fuzz_replay_nifti PROPERTIES FIXTURES_REQUIRED io_seeds)
