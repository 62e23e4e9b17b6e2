# bash completion for twctl(8)                              -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
# Completions are single words, so COMPREPLY=($(compgen ...)) is safe here.
# shellcheck disable=SC2207

_twctl_netns()
{
    # `ip netns list` prints "NAME" or "NAME (id: N)".
    ip netns list 2>/dev/null | while read -r name _; do
        printf '%s\n' "$name"
    done
}

_twctl()
{
    local cur prev words cword
    if declare -F _init_completion >/dev/null; then
        _init_completion || return
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
    fi

    local commands="list summary kill watch info stats version help"
    local global_opts="-j --json -s --script -p --pretty -H --no-header
        -n --numeric -N --netns -h --help -V --version"
    local output_opts="-j --json -s --script -p --pretty -H --no-header
        -n --numeric -h --help"
    local filter_opts="-4 -6 --lport --rport --laddr --raddr --state
        --expiring-within --expiring-after --older-than --cookie --eligible
        --reusable"

    # Values of options, wherever they are.
    case $prev in
        -N | --netns)
            local IFS=$'\n'
            COMPREPLY=($(compgen -W "$(_twctl_netns)" -- "$cur"))
            [[ $cur == */* || -z ${COMPREPLY[*]} ]] &&
                COMPREPLY+=($(compgen -f -- "$cur"))
            return
            ;;
        --state)
            COMPREPLY=($(compgen -W "time-wait fin-wait2" -- "$cur"))
            return
            ;;
        --by)
            COMPREPLY=($(compgen -W "lport rport raddr dest netns" -- "$cur"))
            return
            ;;
        --sort)
            COMPREPLY=($(compgen -W "remaining age lport rport local remote
                cookie state" -- "$cur"))
            return
            ;;
        -o | --output)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --window)
            return # free-form values
            ;;
        --lport | --rport | --laddr | --raddr | --cookie | --limit | --top | \
            --expiring-within | --expiring-after | --older-than)
            return # free-form values
            ;;
    esac

    # Find the subcommand: the first word that is not a global option.
    local i cmd="" skip=0
    for ((i = 1; i < cword; i++)); do
        if ((skip)); then
            skip=0
            continue
        fi
        case ${words[i]} in
            -N | --netns) skip=1 ;;
            -*) ;;
            *)
                cmd=${words[i]}
                break
                ;;
        esac
    done

    if [[ -z $cmd ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$commands" -- "$cur"))
        fi
        return
    fi

    case $cmd in
        list)
            COMPREPLY=($(compgen -W "$filter_opts $output_opts --sort
                --reverse --limit -e --extended --count --all-netns" -- "$cur"))
            ;;
        summary)
            COMPREPLY=($(compgen -W "$filter_opts $output_opts --by --top
                --all-netns" -- "$cur"))
            ;;
        kill)
            COMPREPLY=($(compgen -W "$filter_opts $output_opts --all
                --dry-run --limit -e --extended" -- "$cur"))
            ;;
        stats)
            COMPREPLY=($(compgen -W "$output_opts --window --top --prometheus
                -o --output" -- "$cur"))
            ;;
        watch | info | version)
            COMPREPLY=($(compgen -W "$output_opts" -- "$cur"))
            ;;
        help)
            [[ $cword -eq $((i + 1)) ]] &&
                COMPREPLY=($(compgen -W "$commands" -- "$cur"))
            ;;
    esac
} &&
    complete -F _twctl twctl

# ex: filetype=sh
