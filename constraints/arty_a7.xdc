## xc7a35ti csg324: pins of the neurocore-hw board top level (rtl_gen/board.py).
## Generated from amaranth-boards' ArtyA7_35Platform by rtl_gen/platforms.py (do not edit).
## Board clock 100 MHz.
## Synthesis only in neurocore-hw (no open place and route for 7-series).
set_property -dict { PACKAGE_PIN E3 IOSTANDARD LVCMOS33 } [get_ports { clk }]; # board clock
create_clock -add -name clk_pin -period 10.00 [get_ports { clk }];
set_property -dict { PACKAGE_PIN C2 IOSTANDARD LVCMOS33 } [get_ports { rst_n }]; # reset button, active low, pin active low
set_property -dict { PACKAGE_PIN A9 IOSTANDARD LVCMOS33 } [get_ports { rx }]; # UART from the host
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { tx }]; # UART to the host
set_property -dict { PACKAGE_PIN H5 IOSTANDARD LVCMOS33 } [get_ports { led }]; # LED 0: toggles on every spike
