# WebAssembly targets (included only under emcmake): the engine module for node and workers,
# and the ImGui page.
set(CONVLAB_WASM_FLAGS -O3 -sALLOW_MEMORY_GROWTH=1 -sDYNAMIC_EXECUTION=0 -fexceptions
  --pre-js ${CMAKE_SOURCE_DIR}/web/node_no_fetch.js)

add_executable(convlab_engine_module web/bindings.cpp)
set_target_properties(convlab_engine_module PROPERTIES OUTPUT_NAME convlab_engine SUFFIX .js
  LINK_DEPENDS "${CMAKE_SOURCE_DIR}/web/engine_api.js;${CMAKE_SOURCE_DIR}/web/node_no_fetch.js")
target_link_libraries(convlab_engine_module PRIVATE convlab_engine)
target_link_options(convlab_engine_module PRIVATE ${CONVLAB_WASM_FLAGS} --bind
  -sMODULARIZE=1 -sEXPORT_NAME=createConvLabEngine -sENVIRONMENT=web,worker,node
  -sEXPORTED_FUNCTIONS=_malloc,_free --post-js ${CMAKE_SOURCE_DIR}/web/engine_api.js)
