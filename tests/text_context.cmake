# Whole-run tests of the assertion front door (`vertebra text assert`), domain text.
# cli/cmd_text_assert.c waits in cli/pending/ until the other text stages are
# on main (vt_text_engine_new links all of them); the test follows it.
if(EXISTS ${PROJECT_SOURCE_DIR}/cli/cmd_text_assert.c)
  add_test(NAME text_assert_cli
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/text/assert_cli.sh $<TARGET_FILE:vertebra> ${VT_SHARED_DATA})
  set_tests_properties(text_assert_cli PROPERTIES LABELS "text;cli" TIMEOUT 120)
endif()
