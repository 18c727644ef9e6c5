#!/usr/bin/env cwl-runner
# A Directory in and out, a File with a secondary file, a File[] and a scatter:
# the CWL types that make Toil's runner store directories and file lists in the job store.
cwlVersion: v1.2
class: Workflow
requirements:
  ScatterFeatureRequirement: {}
inputs:
  tree: Directory
  reference:
    type: File
    secondaryFiles: [.fai]
  texts: File[]
outputs:
  shouted:
    type: File[]
    outputSource: shout/loud
  summary:
    type: Directory
    outputSource: collect/summary
steps:
  shout:
    scatter: text
    in: {text: texts}
    out: [loud]
    run:
      class: CommandLineTool
      baseCommand: [tr, a-z, A-Z]
      stdin: $(inputs.text.path)
      stdout: $(inputs.text.nameroot).loud.txt
      inputs:
        text: File
      outputs:
        loud: stdout
  collect:
    in: {tree: tree, reference: reference, texts: shout/loud}
    out: [summary]
    run:
      class: CommandLineTool
      requirements:
        InlineJavascriptRequirement: {}
      baseCommand: [sh, -c]
      arguments:
        - >-
          mkdir summary &&
          (cd $(inputs.tree.path) && find . | LC_ALL=C sort) > summary/tree.txt &&
          cat $(inputs.reference.path) $(inputs.reference.secondaryFiles[0].path) > summary/reference.txt &&
          cat $(inputs.texts.map(function(f) { return f.path; }).join(" ")) > summary/texts.txt
      inputs:
        tree: Directory
        reference:
          type: File
          secondaryFiles: [.fai]
        texts: File[]
      outputs:
        summary:
          type: Directory
          outputBinding: {glob: summary}
