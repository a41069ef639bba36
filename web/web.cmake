# WebAssembly targets (included only under emcmake): the engine module for node and workers,
# and the ImGui page.
set(CONVLAB_WASM_FLAGS -O3 -sALLOW_MEMORY_GROWTH=1 -sDYNAMIC_EXECUTION=0
  --pre-js ${CMAKE_SOURCE_DIR}/web/module/node_no_fetch.js)

add_executable(convlab_engine_module web/module/bindings.cpp)
set_target_properties(convlab_engine_module PROPERTIES OUTPUT_NAME convlab_engine SUFFIX .js
  LINK_DEPENDS "${CMAKE_SOURCE_DIR}/web/module/engine_api.js;${CMAKE_SOURCE_DIR}/web/module/node_no_fetch.js;${CMAKE_SOURCE_DIR}/web/module/node_threads.js")
target_link_libraries(convlab_engine_module PRIVATE convlab_engine_mt)
# Network.exportOnnx(), fromOnnx() and exportSafetensors() require their modules from the module's own folder.
set(CONVLAB_INTEROP onnx_export.js onnx_import.js safetensors.js)
list(TRANSFORM CONVLAB_INTEROP PREPEND ${CMAKE_SOURCE_DIR}/web/module/ OUTPUT_VARIABLE CONVLAB_INTEROP_SOURCES)
list(TRANSFORM CONVLAB_INTEROP PREPEND ${CMAKE_BINARY_DIR}/ OUTPUT_VARIABLE CONVLAB_INTEROP_COPIES)
add_custom_command(OUTPUT ${CONVLAB_INTEROP_COPIES}
  COMMAND ${CMAKE_COMMAND} -E copy ${CONVLAB_INTEROP_SOURCES} ${CMAKE_BINARY_DIR}
  DEPENDS ${CONVLAB_INTEROP_SOURCES})
add_custom_target(interop ALL DEPENDS ${CONVLAB_INTEROP_COPIES})
target_link_options(convlab_engine_module PRIVATE ${CONVLAB_WASM_FLAGS} ${CONVLAB_WASM_THREAD_FLAGS} --bind
  -sMODULARIZE=1 -sEXPORT_NAME=createConvLabEngine -sENVIRONMENT=web,worker,node
  -sEXPORTED_FUNCTIONS=_malloc,_free --post-js ${CMAKE_SOURCE_DIR}/web/module/engine_api.js)

# Dear ImGui from Debian's source package (scripts/setup.sh unpacks it), compiled once as an
# object library: touching engine or app files never recompiles it. ImGui throws nothing and calls
# nothing that throws: compiled without exceptions.
set(IMGUI_DIR ${CMAKE_SOURCE_DIR}/.cache/imgui-1.90.1 CACHE PATH "Dear ImGui 1.90.1 source")
if(NOT EXISTS ${IMGUI_DIR}/imgui.cpp)
  message(FATAL_ERROR "Dear ImGui not found in ${IMGUI_DIR}: run scripts/setup.sh")
endif()
add_library(imgui OBJECT ${IMGUI_DIR}/imgui.cpp ${IMGUI_DIR}/imgui_draw.cpp ${IMGUI_DIR}/imgui_tables.cpp
  ${IMGUI_DIR}/imgui_widgets.cpp ${IMGUI_DIR}/backends/imgui_impl_glfw.cpp)
target_include_directories(imgui PUBLIC ${IMGUI_DIR} ${IMGUI_DIR}/backends)
# no demo, metrics or debug-log windows in the page: less to download
target_compile_definitions(imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS IMGUI_DISABLE_DEBUG_TOOLS
  IMGUI_DISABLE_DEMO_WINDOWS)
target_compile_options(imgui PRIVATE -Os -w -fno-exceptions)

file(GLOB SHADER_SOURCES ${CMAKE_SOURCE_DIR}/shaders/*.vert ${CMAKE_SOURCE_DIR}/shaders/*.frag)
set(SHADERS_HEADER ${CMAKE_BINARY_DIR}/generated/shaders.h)
add_custom_command(OUTPUT ${SHADERS_HEADER}
  COMMAND ${CMAKE_COMMAND} -DSHADER_DIR=${CMAKE_SOURCE_DIR}/shaders -DOUT=${SHADERS_HEADER}
    -P ${CMAKE_SOURCE_DIR}/web/embed_shaders.cmake
  DEPENDS ${SHADER_SOURCES} ${CMAKE_SOURCE_DIR}/web/embed_shaders.cmake COMMENT "Embedding shaders/")

# Keep in step with kUiGlyphRanges in web/app/main.cpp.
set(UI_FONT_UNICODES "U+0020-007E,U+00A7,U+00B0,U+00B2,U+00B7,U+00D7,U+03A0,U+03A3,U+03B1,U+03B5,U+03BB,U+03BC,U+03C3,U+2014,U+2026,U+2032,U+2190-2193,U+2202,U+2212,U+221A,U+2264,U+2265,U+230A,U+230B")
set(UI_FONT_HEADER ${CMAKE_BINARY_DIR}/generated/ui_font.h)
add_custom_command(OUTPUT ${UI_FONT_HEADER}
  COMMAND ${CMAKE_COMMAND} -DFONT=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf -DOUT=${UI_FONT_HEADER}
    "-DUNICODES=${UI_FONT_UNICODES}" -P ${CMAKE_SOURCE_DIR}/web/embed_font.cmake
  DEPENDS ${CMAKE_SOURCE_DIR}/web/embed_font.cmake COMMENT "Subsetting and embedding the UI font")

# The page's module, convlab_app (single-thread: its UI thread runs no thread), and the trainer's.
# host.js runs the page's module on the UI thread and starts the trainer's Web Worker
# (web/trainer_worker.js) with convlab_trainer_mt — the engine and the trainer with threads and
# shared memory, no UI — when the page is cross-origin isolated, else with the page's own module
# (without its main()), which then trains on one thread.
file(GLOB APP_PANELS ${CMAKE_SOURCE_DIR}/web/app/panels/*.cpp ${CMAKE_SOURCE_DIR}/web/app/inspect/*.cpp)
set(APP_SOURCES web/app/main.cpp web/app/hook.cpp web/app/actions.cpp web/app/worker.cpp web/app/keymap.cpp ${APP_PANELS}
  web/gfx/heatmap.cpp web/gfx/plot.cpp web/gfx/theme.cpp web/gfx/ui_renderer.cpp web/gfx/gl_program.cpp ${SHADERS_HEADER} ${UI_FONT_HEADER})
set(WORKER_EXPORTS _malloc,_free,_convlab_worker_set_dataset,_convlab_worker_command,_convlab_worker_work)
set(APP_EXPORTS _main,${WORKER_EXPORTS},_convlab_max_model_file_bytes,_convlab_load_model,_convlab_set_dataset,_convlab_dataset_failed,_convlab_state_json,_convlab_prediction_json,_convlab_input_json,_convlab_layer_json,_convlab_explanation_json,_convlab_receptive_field_json,_convlab_saliency_json,_convlab_shifts_json,_convlab_pooling_json,_convlab_im2col_example_json,_convlab_backprop_json,_convlab_keymap_json,_convlab_set_trainer_threads,_convlab_trainer_report,_convlab_trainer_restarted,_convlab_act)
add_executable(convlab_app ${APP_SOURCES})
target_include_directories(convlab_app PRIVATE ${CMAKE_BINARY_DIR}/generated web/gfx)
set_target_properties(convlab_app PROPERTIES SUFFIX .js)
# The UI's own code is not where time goes (the engine and ImGui are their own libraries): small,
# for the page's first load.
target_compile_options(convlab_app PRIVATE -Oz)
# No extension is enabled at context creation: the page uses WebGL2's core only, and enabling
# every one (Emscripten's default) took ~90 ms of the first frame's path in a CPU profile.
target_link_options(convlab_app PRIVATE ${CONVLAB_WASM_FLAGS} -sUSE_GLFW=3 -sMIN_WEBGL_VERSION=2
  -sMAX_WEBGL_VERSION=2 -sGL_SUPPORT_AUTOMATIC_ENABLE_EXTENSIONS=0 -sMODULARIZE=1 -sEXPORT_NAME=createConvLabApp -sENVIRONMENT=web,worker
  -sEXPORTED_FUNCTIONS=${APP_EXPORTS} -sEXPORTED_RUNTIME_METHODS=UTF8ToString,ccall)
target_link_libraries(convlab_app PRIVATE convlab_page_logic imgui)

add_executable(convlab_trainer_mt web/app/worker.cpp)
set_target_properties(convlab_trainer_mt PROPERTIES SUFFIX .js)
target_compile_options(convlab_trainer_mt PRIVATE -Oz)
target_link_libraries(convlab_trainer_mt PRIVATE convlab_page_logic_mt)
# No prestarted thread pool: the worker starts its threads when it first trains (they join once
# its slice returns to the event loop; until then the engine's caller does every task itself —
# thread_pool.h).
target_link_options(convlab_trainer_mt PRIVATE ${CONVLAB_WASM_FLAGS} -pthread -sPTHREAD_POOL_SIZE_STRICT=0
  -sMODULARIZE=1 -sEXPORT_NAME=createConvLabTrainer -sENVIRONMENT=web,worker
  -sEXPORTED_FUNCTIONS=${WORKER_EXPORTS} -sEXPORTED_RUNTIME_METHODS=ccall)
