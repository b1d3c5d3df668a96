# learn_eval.cmake — whole-run tests of the validation metrics and
# `vertebra learn evaluate` (label "learn"): agreement with scikit-learn,
# statsmodels and DeLong's published formula, and the CLI's bad-input errors.
add_test(NAME learn_reference_metrics
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/learn/reference_metrics.py
    --cli $<TARGET_FILE:vertebra> --data ${VT_SHARED_DATA}
    --work ${CMAKE_CURRENT_BINARY_DIR}/learn_reference_metrics)
set_tests_properties(learn_reference_metrics PROPERTIES LABELS "learn;reference" TIMEOUT 300)

add_test(NAME learn_evaluate_cli
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/learn/evaluate_cli.py
    --cli $<TARGET_FILE:vertebra> --work ${CMAKE_CURRENT_BINARY_DIR}/learn_evaluate_cli)
set_tests_properties(learn_evaluate_cli PROPERTIES LABELS "learn" TIMEOUT 300)
