# warroom_embed(<out-var> DIR <dir> PATTERN <glob> HEADER <hdr> NS <namespace> FN <function>)
# Generates a .cpp holding every matching file and sets <out-var> to its path.
function(warroom_embed out_var)
  cmake_parse_arguments(E "" "DIR;PATTERN;HEADER;NS;FN" "" ${ARGN})
  file(GLOB inputs CONFIGURE_DEPENDS ${E_DIR}/${E_PATTERN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/embedded_${E_FN}.cpp)
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DDIR=${E_DIR} -DPATTERN=${E_PATTERN} -DHEADER=${E_HEADER}
            -DNS=${E_NS} -DFN=${E_FN} -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${inputs} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    COMMENT "Embedding ${E_PATTERN} from ${E_DIR}")
  set(${out_var} ${out} PARENT_SCOPE)
endfunction()
