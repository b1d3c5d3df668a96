# CT spine analysis tests (label "image"): the morphometry unit test reads the
# reference masks through libnifti2 directly (tests/unit/image/nifti_fixture.h).
target_include_directories(image_test_morphometry PRIVATE ${NIFTI_INCLUDE_DIR})
