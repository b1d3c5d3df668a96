# Text outputs and the `text extract` batch, run whole (tests/text/):
# FHIR R4 validation against the official StructureDefinitions, NOTE_NLP into a
# real PostgreSQL 15 table, hostile input. Labels: text (and slow for > 10 s).
set(VT_FHIR_R4 "${VT_SHARED_DATA}/fhir/hl7_fhir_r4_examples")
add_test(NAME text_fhir_validate
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/text/validate_fhir.py
    --sd-dir ${VT_FHIR_R4}/structuredefinitions --examples-dir ${VT_FHIR_R4}/examples
    --cli $<TARGET_FILE:vertebra>)
set_tests_properties(text_fhir_validate PROPERTIES LABELS "text" TIMEOUT 300)

add_test(NAME text_note_nlp_postgres
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/text/note_nlp_postgres.sh $<TARGET_FILE:vertebra>
    ${CMAKE_CURRENT_SOURCE_DIR}/text/omop_note_nlp_v54.sql)
set_tests_properties(text_note_nlp_postgres PROPERTIES LABELS "text" TIMEOUT 300
  RUN_SERIAL TRUE)

add_test(NAME text_hostile_input
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/text/hostile.py $<TARGET_FILE:vertebra>)
set_tests_properties(text_hostile_input PROPERTIES LABELS "text" TIMEOUT 300)
# 10^6 tiny documents through the whole batch: over 10 s, so only in the
# non-sanitizer pass.
add_test(NAME text_hostile_million
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/text/hostile.py $<TARGET_FILE:vertebra> --many)
set_tests_properties(text_hostile_million PROPERTIES LABELS "text;slow" TIMEOUT 900)
