# Model parity (acceptance): on identical folds, vertebra's logistic
# regression (L2 and elastic net) and XGBoost trees reach scikit-learn's and
# xgboost-python's mean fold AUC within 0.005 (tests/learn/parity.py).
foreach(case "uci_vertebral_column/column_2C_weka.csv;status;Abnormal;;uci"
             "rpart_kyphosis/kyphosis.csv;Kyphosis;present;rownames;kyphosis")
  list(GET case 0 file)
  list(GET case 1 outcome)
  list(GET case 2 positive)
  list(GET case 3 exclude)
  list(GET case 4 tag)
  set(work ${CMAKE_CURRENT_BINARY_DIR}/learn_parity_${tag})
  file(MAKE_DIRECTORY ${work})
  add_test(NAME learn_parity_${tag}
    COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/learn/parity.py
            $<TARGET_FILE:vertebra> ${VT_SHARED_DATA}/tabular/${file} ${outcome} ${positive}
            "${exclude}" ${work})
  set_tests_properties(learn_parity_${tag} PROPERTIES LABELS "learn" TIMEOUT 300)
endforeach()

# Drift statistics (chi-square exactly, KS to the stored-percentile
# resolution) and calibration intercept/slope of `learn validate` vs SciPy.
set(work ${CMAKE_CURRENT_BINARY_DIR}/learn_drift)
file(MAKE_DIRECTORY ${work})
add_test(NAME learn_drift_scipy
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/learn/drift.py $<TARGET_FILE:vertebra>
          ${VT_SHARED_DATA}/tabular/rpart_kyphosis/kyphosis.csv ${work})
set_tests_properties(learn_drift_scipy PROPERTIES LABELS "learn" TIMEOUT 300)

# The CLI on a bad cohort: exit 65 (data error) naming the row, and no model
# or metrics file left behind.
set(work ${CMAKE_CURRENT_BINARY_DIR}/learn_cli_bad)
file(MAKE_DIRECTORY ${work})
file(WRITE ${work}/ragged.csv "age,ssi\n50,1\n60,0\n70\n")
add_test(NAME learn_cli_no_partial_output
  COMMAND sh -c "rm -f m.json j.json; \"$1\" learn train --data ragged.csv --outcome ssi --out m.json --json j.json 2> err.txt; rc=$?; cat err.txt; test $rc -eq 65 && grep -q 'line 4' err.txt && test ! -e m.json && test ! -e j.json"
          sh $<TARGET_FILE:vertebra>
  WORKING_DIRECTORY ${work})
set_tests_properties(learn_cli_no_partial_output PROPERTIES LABELS "learn")

# One metrics document for train, validate and evaluate (issue 3).
add_test(NAME learn_same_shape
  COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/learn/same_shape.py $<TARGET_FILE:vertebra>
          ${VT_SHARED_DATA}/tabular/uci_vertebral_column/column_2C_weka.csv ${CMAKE_CURRENT_BINARY_DIR}/learn_same_shape)
set_tests_properties(learn_same_shape PROPERTIES LABELS "learn" TIMEOUT 300)
