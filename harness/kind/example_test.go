package kind_test

import (
	"fmt"
	"net"
	"os"
	"syscall"

	"github.com/trafficsim/trafficsim/harness/kind"
)

func ExampleOf() {
	err := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	fmt.Println(kind.Of(err), kind.OfStatus(503), kind.Of(err).Exhausts())
	// Output: refused http_5xx false
}

func ExampleLogin() {
	fmt.Println(kind.LoginSuccess, kind.LoginWrongPassword, kind.LoginLocked, kind.LoginError, kind.Login(9))
	// Output: success wrong_password locked error error
}
