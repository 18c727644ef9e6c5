version 1.1

# Count the lines of a text file and write them back out quoted ("> " before each):
# a WDL workflow for toil-wdl-runner that needs no container engine (no tasks, only
# WDL's own file functions), so its input and output files go through the job store.

workflow wc {
  input {
    File text
  }
  Array[String] lines = read_lines(text)
  output {
    File quoted = write_lines(prefix("> ", lines))
    Int line_count = length(lines)
  }
}
