import CFuzz
import Foundation
import FuzzTargets

// SwiftPM names an executable's entry point after its module and defines main as that symbol, so
// libFuzzer's own main is not linked; its driver is started from here instead.
var argumentCount = CommandLine.argc
var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
    LLVMFuzzerRunDriver(&argumentCount, &arguments) { data, size in
        FuzzTargets.har(Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    })
