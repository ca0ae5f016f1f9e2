fn main() -> std::process::ExitCode {
    opready::cli::run()
}
