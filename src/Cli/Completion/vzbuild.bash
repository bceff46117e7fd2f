# bash completion for vzbuild, printed by `vzbuild completion bash`. Install one of:
#   source <(vzbuild completion bash)                            # in ~/.bashrc
#   vzbuild completion bash > /etc/bash_completion.d/vzbuild     # every user, new shells
# vzbuild itself answers, through System.CommandLine's [suggest:POSITION] directive: the line up to
# the cursor in, one completion per line out (commands, options, an option's values). When it has
# none (a file argument), bash completes file names.
_vzbuild_complete()
{
    local cur=${COMP_WORDS[COMP_CWORD]} typed=${COMP_WORDS[0]}
    local line=${COMP_LINE:0:COMP_POINT}
    # The parser knows itself as vzbuild, however it was typed (./out/vzbuild).
    line="vzbuild${line#"$typed"}"
    local exe=vzbuild
    [[ $typed == */* && -x $typed ]] && exe=$typed
    local suggestion
    COMPREPLY=()
    while IFS= read -r suggestion; do
        # Prefixes only (vzbuild also offers words that merely contain what was typed); options
        # once a dash is typed.
        [[ $suggestion == "$cur"* ]] || continue
        [[ $suggestion == -* && $cur != -* ]] && continue
        COMPREPLY+=("$suggestion")
    done < <("$exe" "[suggest:${#line}]" "$line" 2>/dev/null)
}
complete -o default -o bashdefault -F _vzbuild_complete vzbuild
