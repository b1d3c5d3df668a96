# CT spine analysis tests (label "image").

# Whole run of the CLI on the VerSe mask.
add_test(NAME image_cli_morphometry_verse
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/image/cli_morphometry.py
          $<TARGET_FILE:vertebra> ${VT_SHARED_DATA})
set_tests_properties(image_cli_morphometry_verse PROPERTIES LABELS "image" SKIP_RETURN_CODE 77 TIMEOUT 120)
