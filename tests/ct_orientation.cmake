# `vertebra ct analyze` under any voxel order and orientation, and at 0.5 mm
# slices (label "image"): the same phantom stored sagittally, coronally,
# feet first and turned 20 degrees gives the same labels and measurements.
add_test(NAME image_ct_orientation
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/image/ct_orientation.py $<TARGET_FILE:vertebra>)
set_tests_properties(image_ct_orientation PROPERTIES LABELS "image" TIMEOUT 600)
