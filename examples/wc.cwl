#!/usr/bin/env cwl-runner
# Sort the lines of a text file (C collation) and count them: two steps, two outputs.
cwlVersion: v1.2
class: Workflow
requirements:
  InlineJavascriptRequirement: {}
inputs:
  text: File
outputs:
  sorted:
    type: File
    outputSource: sort/sorted
  count:
    type: File
    outputSource: count/count
steps:
  sort:
    in:
      text: text
    out: [sorted]
    run:
      class: CommandLineTool
      requirements:
        EnvVarRequirement:
          envDef:
            LC_ALL: C
      baseCommand: sort
      inputs:
        text:
          type: File
          inputBinding:
            position: 1
      stdout: sorted.txt
      outputs:
        sorted:
          type: stdout
  count:
    in:
      text: sort/sorted
    out: [count]
    run:
      class: CommandLineTool
      baseCommand: [wc, -l]
      stdin: $(inputs.text.path)
      inputs:
        text: File
      stdout: count.txt
      outputs:
        count:
          type: stdout
