# CT spine analysis tests (label "image"): the morphometry unit test reads the
# reference masks through libnifti2 directly (tests/unit/image/nifti_fixture.h).
target_include_directories(image_test_morphometry PRIVATE ${NIFTI_INCLUDE_DIR})

# Whole run of the CLI on the VerSe mask (skipped while no NIfTI reader is linked).
add_test(NAME image_cli_morphometry_verse
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/image/cli_morphometry.py
          $<TARGET_FILE:vertebra> ${VT_SHARED_DATA})
set_tests_properties(image_cli_morphometry_verse PROPERTIES LABELS "image" SKIP_RETURN_CODE 77 TIMEOUT 120)
