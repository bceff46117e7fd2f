#compdef vzbuild
# zsh completion for vzbuild, printed by `vzbuild completion zsh`. Install one of:
#   source <(vzbuild completion zsh)                         # in ~/.zshrc, after compinit
#   vzbuild completion zsh > "${fpath[1]}/_vzbuild"          # a directory on $fpath, new shells
# vzbuild itself answers, through System.CommandLine's [suggest:POSITION] directive: the line up to
# the cursor in, one completion per line out (commands, options, an option's values). When it has
# none (a file argument), zsh completes file names.
_vzbuild() {
  local exe=vzbuild typed=${~words[1]}
  [[ $typed == */* && -x $typed ]] && exe=$typed
  # The parser knows itself as vzbuild, however it was typed; the current word up to the cursor.
  local line="vzbuild ${(j: :)${(@)words[2,CURRENT-1]}}"
  (( CURRENT > 2 )) && line+=" "
  line+=$PREFIX
  local -a suggestions
  suggestions=(${(f)"$("$exe" "[suggest:${#line}]" "$line" 2>/dev/null)"})
  # Options once a dash is typed; compadd keeps the words that start with what was typed.
  [[ $PREFIX == -* ]] || suggestions=(${suggestions:#-*})
  if (( ${#suggestions} )); then
    compadd -- "${suggestions[@]}"
  else
    _files
  fi
}

if [[ ${funcstack[1]} == _vzbuild ]]; then
  _vzbuild "$@"
else
  compdef _vzbuild vzbuild
fi
