# `vertebra ct analyze` end to end (label "image"): outputs on a phantom with
# known truth, R4 validity of report.fhir.json, and bad input leaving nothing.
add_test(NAME image_ct_analyze_cli
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/image/ct_analyze_cli.py
          $<TARGET_FILE:vertebra> ${VT_SHARED_DATA} ${PROJECT_SOURCE_DIR})
set_tests_properties(image_ct_analyze_cli PROPERTIES LABELS "image" TIMEOUT 600)
