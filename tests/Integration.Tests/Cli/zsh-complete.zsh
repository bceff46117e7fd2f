#!/bin/zsh -f
# zsh-complete.zsh SCRIPT LINE: what zsh's own completion system offers when Tab is pressed after
# LINE in an interactive zsh (under zsh/zpty) that ran compinit and sourced SCRIPT; one match a line.
# compadd is wrapped to print every match a completion function adds (zsh-capture-completion's idea).
zmodload zsh/zpty || exit 2
zpty z zsh -f -i
# -D: no dump file. Never "-d /dev/null": compdump writes DUMP.HOST.PID and mv -f it over DUMP,
# which replaced the machine's /dev/null with a regular file as root.
zpty -w z "autoload -Uz compinit && compinit -u -D"
zpty -w z "source ${(q)1}"
# The markers are split in the text zsh echoes back, so only what the functions print carries them.
zpty -w z 'compadd () {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  local -a hits; builtin compadd -A hits "$@"
  (( $#hits )) && print -rl -- "<ma""tch>"${^hits}
  builtin compadd "$@"
}'
zpty -w z 'comppostfuncs=(__done); __done() { print -r -- "<e""nd>"; exit }'
zpty -w -n z "$2"$'\t'
local out line
zpty -r -m z out '*<end>*' || exit 3
zpty -d z
for line in "${(@f)out}"; do
  line=${line//$'\r'}
  [[ $line == *'<match>'* ]] && print -r -- ${line##*<match>}
done
exit 0
