# `vertebra ct analyze` on real CTs (label "image"): no confident wrong label
# against TotalSegmentator's references; the accuracy goals are printed.
add_test(NAME image_analyze_refs
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/image/analyze_refs.py
          $<TARGET_FILE:vertebra> ${VT_SHARED_DATA})
set_tests_properties(image_analyze_refs PROPERTIES LABELS "image" TIMEOUT 600)
