# Gold-set evaluation of the whole text engine (docs/text-gold-guideline.md).
# It links every text stage, so it is registered once targets.c, attributes.c
# and context.c are in the tree (they land from parallel branches).
if(EXISTS ${PROJECT_SOURCE_DIR}/src/text/targets.c AND
   EXISTS ${PROJECT_SOURCE_DIR}/src/text/attributes.c AND
   EXISTS ${PROJECT_SOURCE_DIR}/src/text/context.c)
  add_executable(text_gold_eval ${CMAKE_CURRENT_LIST_DIR}/text/gold_eval.c)
  target_include_directories(text_gold_eval PRIVATE ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(text_gold_eval PRIVATE vertebra_static)
  target_compile_definitions(text_gold_eval PRIVATE
    VT_SHARED_DATA="${VT_SHARED_DATA}" VT_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  add_test(NAME text_gold_eval COMMAND text_gold_eval)
  set_tests_properties(text_gold_eval PROPERTIES LABELS "text;gold" TIMEOUT 300)
endif()
