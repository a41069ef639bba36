# Turns shaders/*.{vert,frag} into a header of C++ raw strings (run at build time).
#   cmake -DSHADER_DIR=... -DOUT=... -P embed_shaders.cmake
file(GLOB shaders ${SHADER_DIR}/*.vert ${SHADER_DIR}/*.frag)
set(text "// Generated from shaders/ by web/embed_shaders.cmake; do not edit.\n#pragma once\n")
foreach(path ${shaders})
  get_filename_component(name ${path} NAME)
  string(REPLACE "." "_" name ${name})
  file(READ ${path} body)
  string(APPEND text "inline constexpr const char* kShader_${name} = R\"glsl(${body})glsl\";\n")
endforeach()
file(WRITE ${OUT}.tmp "${text}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
