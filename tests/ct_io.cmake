# Image I/O script tests: our `ct convert` against Debian's dcm2niix on the
# shared series (the JPEG 2000 example and the two chest series).
add_test(NAME io_dcm2niix_example_ct_j2k
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/io/compare_dcm2niix.sh $<TARGET_FILE:vertebra>
          ${VT_SHARED_DATA}/ct/totalsegmentator/example_ct_dicom)
set_tests_properties(io_dcm2niix_example_ct_j2k PROPERTIES LABELS "io")
add_test(NAME io_dcm2niix_lidc_chest
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/io/compare_dcm2niix.sh $<TARGET_FILE:vertebra>
          ${VT_SHARED_DATA}/ct/lidc_idri_0314_chest/dicom)
set_tests_properties(io_dcm2niix_lidc_chest PROPERTIES LABELS "io;slow")
add_test(NAME io_dcm2niix_popi_chest
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/io/compare_dcm2niix.sh $<TARGET_FILE:vertebra>
          ${VT_SHARED_DATA}/ct/popi_4dct_phase00_chest/dicom)
set_tests_properties(io_dcm2niix_popi_chest PROPERTIES LABELS "io;slow")
