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
