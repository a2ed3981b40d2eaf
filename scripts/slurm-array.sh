#!/usr/bin/env bash
# Runs one line of an actlab job list (written by `actlab reproduce fig1 --plan FILE` or
# `actlab study … --plan FILE`) as one task of a Slurm job array:
#
#   sbatch --array=1-$(wc -l < jobs.txt) scripts/slurm-array.sh jobs.txt
#
# Each line trains one run into its own folder (resuming it if it was started), so a task that is
# killed or requeued loses nothing. The run folders must be on a file system every node sees.
# When the array has finished, run the same actlab command with --plan again for the next wave
# (for example the seeds after the learning-rate trials), and at the end without --plan to
# measure and write the report.
#SBATCH --job-name=actlab
#SBATCH --cpus-per-task=2
#SBATCH --output=actlab-%A-%a.log
set -euo pipefail
jobs=${1:?usage: sbatch --array=1-N scripts/slurm-array.sh JOBS_FILE}
line=$(sed -n "${SLURM_ARRAY_TASK_ID:?not inside a Slurm array}p" "$jobs")
[ -n "$line" ] || { echo "no line ${SLURM_ARRAY_TASK_ID} in $jobs" >&2; exit 1; }
exec bash -c "$line"
